<%inherit file="/base.mako"/>
<%def name="title()">Documents</%def>
<%namespace name="fmt" file="/format.mako"/>
<%! from urllib.parse import urlencode %>
<h1>Documents</h1>
<div class="actions">
  <a class="button" href="${url('/documents/upload')}">Upload a document</a>
  <form method="get" action="${url('/documents/')}" class="form row" role="search">
    <label for="q">Search</label>
    <input id="q" name="q" type="search" value="${q}" placeholder="name or root element">
    <button type="submit" class="secondary">Search</button>
    % if q:
    <a href="${url('/documents/')}">Clear search</a>
    % endif
  </form>
</div>
% if not ids:
<p class="hint">${'No document matches “' + q + '”.' if q else 'No documents yet: upload one.'}</p>
% else:
<p>${total} document${'' if total == 1 else 's'}${' matching “' + q + '”' if q else ''}.</p>
<table class="table">
  <thead><tr><th scope="col">Name</th><th scope="col">Root element</th><th scope="col">Size</th><th scope="col">Uploaded</th>
  % if account.is_admin:
  <th scope="col">Owner</th>
  % endif
  </tr></thead>
  <tbody>
  ## Kept by the ids it shows: a stored document never changes, so neither do its rows.
  ${fragment('documents/rows.mako', (account.is_admin, *ids), load_documents=load_documents,
             admin=account.is_admin) | n}
  </tbody>
</table>
% endif
${fmt.pager(page, pages, url('/documents/') + '?' + (urlencode({'q': q}) + '&' if q else ''))}
