<%inherit file="/base.mako"/>
<%def name="title()">${user.username}</%def>
<%def name="action_button(action, label, css='')">
  <form method="post" action="${url('/admin/users/' + user.username + '/')}" class="inline">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <input type="hidden" name="action" value="${action}">
    <button type="submit" class="${css}">${label}</button>
  </form>
</%def>
<p><a href="${url('/admin/users/')}">← All accounts</a></p>
<h1>${user.username}</h1>
% if error:
<p class="form-error" role="alert">${error}</p>
% endif
<dl class="facts">
  <dt>Role</dt><dd>${'admin' if user.is_admin else 'user'}</dd>
  <dt>State</dt><dd>${'disabled' if user.disabled else 'active'}</dd>
  <dt>Created</dt><dd>${when(user.created_at)}</dd>
  <dt>Last login</dt><dd>${when(user.last_login_at)}</dd>
</dl>
<p class="actions">
% if user.disabled:
  ${action_button('enable', 'Enable')}
% else:
  ${action_button('disable', 'Disable (ends every session)', 'danger')}
% endif
% if user.is_admin:
  ${action_button('revoke-admin', 'Remove admin rights')}
% else:
  ${action_button('make-admin', 'Make admin')}
% endif
</p>
<section class="card">
  <h2>Reset password</h2>
  <form method="post" action="${url('/admin/users/' + user.username + '/')}" class="form row">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <input type="hidden" name="action" value="reset-password">
    <label for="password">New password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required>
    <button type="submit">Reset password</button>
  </form>
</section>
<section class="card">
  <h2>Client certificates</h2>
  % if certificates:
  <table class="table">
    <thead><tr><th scope="col">Subject</th><th scope="col">Issuer</th><th scope="col">Serial</th><th scope="col">Expires</th><th scope="col">SHA-256 fingerprint</th><th scope="col">State</th></tr></thead>
    <tbody>
    % for cert in certificates:
      <tr>
        <td>${cert.subject}</td>
        <td>${cert.issuer}</td>
        <td><code>${cert.serial}</code></td>
        <td>${when(cert.not_after)}</td>
        <td><code class="fingerprint">${cert.display_fingerprint}</code></td>
        <td>
        % if cert.revoked_at:
          revoked ${when(cert.revoked_at)}
        % else:
          ${'expired' if cert.is_expired() else 'active'}
          <form method="post" action="${url('/admin/users/' + user.username + '/')}" class="inline">
            <input type="hidden" name="csrf_token" value="${csrf_token()}">
            <input type="hidden" name="action" value="revoke-cert">
            <input type="hidden" name="cert_id" value="${cert.id}">
            <button type="submit" class="small danger">Revoke</button>
          </form>
        % endif
        </td>
      </tr>
    % endfor
    </tbody>
  </table>
  % else:
  <p>No certificate is bound to ${user.username}.</p>
  % endif
  <form method="post" action="${url('/admin/users/' + user.username + '/')}" class="form" enctype="multipart/form-data">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <input type="hidden" name="action" value="bind-cert">
    <label for="certificate">Paste a PEM certificate <span class="hint">(-----BEGIN CERTIFICATE----- ...; never the key)</span></label>
    <textarea id="certificate" name="certificate" rows="6" spellcheck="false"></textarea>
    <label for="certificate-file">or choose a PEM file</label>
    <input id="certificate-file" name="certificate_file" type="file" accept=".pem,.crt,.cer">
    <button type="submit">Bind certificate</button>
  </form>
</section>
<h2>Recent activity</h2>
<%include file="/admin/audit_table.mako" args="rows=recent"/>
