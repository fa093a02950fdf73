## The site layout: every page inherits it, fills body() and overrides title(); a page
## that needs a script names it in scripts() (external files only: the CSP forbids inline code).
<%def name="title()">Proto</%def>\
<%def name="scripts()"></%def>\
## current(prefix) marks the menu entry of the subtree being shown, for sight (CSS) and screen readers.
<%! from proto.tools.templates import current %>\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${self.title()} · Proto</title>
  <link rel="stylesheet" href="${url('/static/css/proto.css')}">
  <link rel="icon" href="${url('/static/img/proto.svg')}" type="image/svg+xml">
  ${self.scripts()}
</head>
<body>
  <a class="skip" href="#main">Skip to content</a>
  <header class="site-header">
    <nav class="nav" aria-label="Main">
      <a class="brand" href="${url('/')}"><img src="${url('/static/img/proto.svg')}" alt="" width="24" height="24"> Proto</a>
      <ul class="nav-links">
        % if account is not None:
        <li><a href="${url('/documents/')}" ${current('/documents/')}>Documents</a></li>
        % if account.is_admin:
        <li><a href="${url('/admin/')}" ${current('/admin/')}>Admin</a></li>
        % endif
        % endif
        <li><a href="${url('/sitemap')}" ${current('/sitemap')}>Site map</a></li>
      </ul>
      <div class="nav-user">
        % if account is not None:
        <span class="hint">Signed in as</span>
        <a href="${url('/account/')}" ${current('/account/')}>${account.username}</a>
        <span class="badge badge-${'certificate' if auth_method == 'certificate' else 'password'}" title="How you signed in">${'certificate' if auth_method == 'certificate' else 'password'}</span>
        <form method="post" action="${url('/account/logout')}" class="inline">
          <input type="hidden" name="csrf_token" value="${csrf_token()}">
          <button type="submit" class="link">Log out</button>
        </form>
        % else:
        <a href="${url('/account/login')}">Log in</a>
        % endif
      </div>
    </nav>
  </header>
  <main id="main" class="main">
    % for level, message in flashes:
    <p class="flash flash-${level}" role="status">${message}</p>
    % endfor
    ${self.body()}
  </main>
  <footer class="site-footer">
    Proto ${version} · <a href="${url('/sitemap')}">Site map</a> · <a href="${url('/status')}">Status</a>
  </footer>
</body>
</html>
