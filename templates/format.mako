## Small formatting helpers shared by pages: <%namespace name="fmt" file="/format.mako"/>
<%def name="when(moment)">${moment.strftime('%Y-%m-%d %H:%M UTC') if moment else '—'}</%def>
<%def name="size(count)"><%
    units = ['bytes', 'KiB', 'MiB', 'GiB']
    value, unit = float(count), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
%>${f"{count} bytes" if unit == 0 else f"{value:.1f} {units[unit]}"}</%def>
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
