<%inherit file="/base.mako"/>
<%def name="title()">Admin</%def>
<h1>Admin</h1>
<ul class="stats">
  <li><strong>${len(users)}</strong> accounts</li>
  <li><strong>${sum(1 for user in users if user.is_admin)}</strong> admins</li>
  <li><strong>${sum(1 for user in users if user.disabled)}</strong> disabled</li>
  <li><strong>${documents[0]}</strong> documents</li>
  <li><strong>${size(documents[1])}</strong> stored</li>
  <li><strong>${audit_total}</strong> audit entries</li>
</ul>
<p><a class="button" href="${url('/admin/users/')}">Manage accounts</a>
   <a class="button secondary" href="${url('/admin/audit')}">Audit log</a></p>
<h2>Recent activity</h2>
<%include file="/admin/audit_table.mako" args="rows=recent"/>
