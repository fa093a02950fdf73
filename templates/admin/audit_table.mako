<%page args="rows"/>
% if rows:
<table class="table">
  <thead><tr><th scope="col">When</th><th scope="col">Account</th><th scope="col">Address</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
  <tbody>
  % for row in rows:
    <tr>
      <td>${when(row.at)}</td>
      <td>${row.username or '—'}</td>
      <td>${row.address or '—'}</td>
      <td>${row.action}</td>
      <td><span class="outcome outcome-${row.outcome}">${row.outcome}</span></td>
      <td>${row.detail}</td>
    </tr>
  % endfor
  </tbody>
</table>
% else:
<p>Nothing recorded yet.</p>
% endif
