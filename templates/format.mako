## Markup shared by pages: <%namespace name="fmt" file="/format.mako"/>. Values are
## formatted by size() and when() from proto/tools/templates.py, which every page has.
<%def name="pager(page, pages, base)">
% if pages > 1:
<nav class="pager" aria-label="Pages">
  % if page > 1:
  <a href="${base}page=${page - 1}" rel="prev">← Newer</a>
  % endif
  <span>Page ${page} of ${pages}</span>
  % if page < pages:
  <a href="${base}page=${page + 1}" rel="next">Older →</a>
  % endif
</nav>
% endif
</%def>
