<%inherit file="/base.mako"/>
<%def name="title()">First-run setup</%def>
<section class="card narrow">
  <h1>Create the first admin account</h1>
  <p class="lead">This link works once: the account you create here can then create everyone else's.</p>
  % if error:
  <p class="form-error" role="alert">${error}</p>
  % endif
  <form method="post" action="${url('/setup')}" class="form">
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <input type="hidden" name="token" value="${token}">
    <label for="username">Username</label>
    <input id="username" name="username" value="${username}" autocomplete="username" required autofocus>
    <label for="password">Password <span class="hint">(at least 8 characters)</span></label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required>
    <button type="submit">Create admin account</button>
  </form>
</section>
