## The body of the documents page: search, count, rows and pager. Rendered once per list and
## kept (see Templates.fragment): a stored document never changes, so neither does a list of
## them, and the key names all else it shows (search, page, total, whether an admin looks).
<%namespace name="fmt" file="/format.mako"/>
<%! from urllib.parse import urlencode
from proto.tools.templates import size, url, when %>
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
  % if admin:
  <th scope="col">Owner</th>
  % endif
  </tr></thead>
  <tbody>
  % for document in load_documents():
    <tr>
      <td><a href="${url('/documents/' + document.id + '/')}">${document.name}</a></td>
      <td><code>${document.root}</code></td>
      <td>${size(document.size)}</td>
      <td>${when(document.created_at)}</td>
      % if admin:
      <td>${document.owner}</td>
      % endif
    </tr>
  % endfor
  </tbody>
</table>
% endif
${fmt.pager(page, pages, url('/documents/') + '?' + (urlencode({'q': q}) + '&' if q else ''))}
