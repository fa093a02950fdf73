<%inherit file="/base.mako"/>
<%def name="title()">Accounts</%def>
<h1>Accounts</h1>
<table class="table">
  <thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Last login</th></tr></thead>
  <tbody>
  % for user in users:
    <tr>
      <td><a href="${url('/admin/users/' + user.username + '/')}">${user.username}</a></td>
      <td>${'admin' if user.is_admin else 'user'}</td>
      <td>${'disabled' if user.disabled else 'active'}</td>
      <td>${when(user.last_login_at)}</td>
    </tr>
  % endfor
  </tbody>
</table>
<section class="card">
  <h2>Create an account</h2>
  % if error:
  <p class="form-error" role="alert">${error}</p>
  % endif
  <form method="post" action="${url('/admin/users/')}" class="form">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <label for="username">Username</label>
    <input id="username" name="username" value="${form['username']}" required>
    <label for="password">Password <span class="hint">(at least 8 characters)</span></label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required>
    <label class="check" for="is_admin"><input id="is_admin" type="checkbox" name="is_admin" ${'checked' if form['is_admin'] else ''}> Admin <span class="hint">(may manage accounts and see every document)</span></label>
    <button type="submit">Create account</button>
  </form>
</section>
