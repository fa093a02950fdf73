<%inherit file="/base.mako"/>
<%def name="title()">${user.username}</%def>
<%namespace name="fmt" file="/format.mako"/>
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
  <dt>Created</dt><dd>${fmt.when(user.created_at)}</dd>
  <dt>Last login</dt><dd>${fmt.when(user.last_login_at)}</dd>
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
<h2>Recent activity</h2>
<%include file="/admin/audit_table.mako" args="rows=recent"/>
