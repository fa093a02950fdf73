<%inherit file="/base.mako"/>
<%def name="title()">Log in</%def>
<section class="card narrow">
  <h1>Log in</h1>
  % if error:
  <p class="form-error" role="alert">${error}</p>
  % endif
  <form method="post" action="${url('/account/login')}" class="form">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <input type="hidden" name="next" value="${next}">
    <label for="username">Username</label>
    <input id="username" name="username" value="${username}" autocomplete="username" required autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Log in</button>
  </form>
  <p class="hint">A browser with a client certificate bound to an account is logged in without a password.</p>
</section>
