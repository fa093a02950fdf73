<%inherit file="/base.mako"/>
<%def name="title()">Audit log</%def>
<%namespace name="fmt" file="/format.mako"/>
<%! from urllib.parse import urlencode %>
<h1>Audit log</h1>
<form method="get" action="${url('/admin/audit')}" class="form row">
  <label for="account">Account</label>
  <input id="account" name="account" value="${account_filter}">
  <label for="action">Action</label>
  <select id="action" name="action">
    <option value="">any</option>
    % for name in actions:
    <option value="${name}" ${'selected' if name == action_filter else ''}>${name}</option>
    % endfor
  </select>
  <button type="submit">Filter</button>
  % if account_filter or action_filter:
  <a href="${url('/admin/audit')}">Clear filters</a>
  % endif
</form>
<p>${total} entries.</p>
<%include file="/admin/audit_table.mako" args="rows=rows"/>
${fmt.pager(page, pages, url('/admin/audit') + '?' + urlencode({'account': account_filter, 'action': action_filter}) + '&')}
