## The rows of a documents table. Rendered once per list of documents and kept (see
## Templates.fragment): a stored document never changes. The owner column is for admins.
<%! from proto.tools.templates import size, url, when %>\
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
