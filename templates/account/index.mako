<%inherit file="/base.mako"/>
<%def name="title()">Your account</%def>
<h1>${profile.username}</h1>
<p class="lead">${'Admin' if profile.is_admin else 'User'} since ${when(profile.created_at)};
  signed in by ${auth_method}.</p>
% if context.get('error'):
<p class="form-error" role="alert">${context.get('error')}</p>
% endif

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
        % elif cert.is_expired():
          expired
        % else:
          active
        % endif
        </td>
      </tr>
    % endfor
    </tbody>
  </table>
  % else:
  <p>No certificate is bound to your account. An admin can bind one, and your browser then logs you in without a password.</p>
  % endif
</section>

<section class="card">
  <h2>API tokens</h2>
  % if new_token:
  <div class="flash flash-success" role="status">
    <p>Your new token, shown this once: copy it now.</p>
    <p><code class="secret">${new_token}</code></p>
    <p class="hint">Use it as <code>curl -H "Authorization: Bearer ${new_token}" ${url('/api/whoami')}</code></p>
  </div>
  % endif
  % if tokens:
  <table class="table">
    <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead>
    <tbody>
    % for token in tokens:
      <tr>
        <td>${token.name}</td>
        <td>${when(token.created_at)}</td>
        <td>${when(token.last_used_at)}</td>
        <td>
        % if token.revoked_at:
          revoked ${when(token.revoked_at)}
        % else:
          <form method="post" action="${url('/account/tokens')}" class="inline">
            <input type="hidden" name="csrf_token" value="${csrf_token()}">
            <input type="hidden" name="action" value="revoke">
            <input type="hidden" name="token_id" value="${token.id}">
            <button type="submit" class="small danger">Revoke</button>
          </form>
        % endif
        </td>
      </tr>
    % endfor
    </tbody>
  </table>
  % else:
  <p>No tokens yet. A token lets a program use the API as you.</p>
  % endif
  <form method="post" action="${url('/account/tokens')}" class="form row">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <input type="hidden" name="action" value="create">
    <label for="token-name">Token name</label>
    <input id="token-name" name="name" placeholder="e.g. nightly upload" maxlength="100" required>
    <button type="submit">Create token</button>
  </form>
</section>

<section class="card">
  <h2>Change password</h2>
  <form method="post" action="${url('/account/password')}" class="form">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <label for="current">Current password</label>
    <input id="current" name="current" type="password" autocomplete="current-password" required>
    <label for="new">New password <span class="hint">(at least 8 characters; your other sessions end)</span></label>
    <input id="new" name="new" type="password" autocomplete="new-password" minlength="8" required>
    <button type="submit">Change password</button>
  </form>
</section>
