<%inherit file="/base.mako"/>
<%def name="title()">Site map</%def>
<%
    from itertools import groupby
    sections = [(name, list(group)) for name, group in groupby(routes, key=lambda route: route.section)]
%>
<h1>Site map</h1>
<p class="lead">Every URL this server publishes, read from the code itself: the methods it answers,
  who may use it and what it does. Also as JSON: <code>curl -H 'Accept: application/json' ${url('/sitemap')}</code>.</p>
<p>Programs: <a href="${url('/api/')}">the API, described operation by operation</a>, also as
  <a href="${url('/api/openapi.json')}">OpenAPI 3.1</a>.</p>
<nav class="toc" aria-label="Subtrees">
  <ul>
  % for section, group in sections:
    <li><a href="#section-${section.strip('/') or 'root'}"><code>${section}</code></a> <span class="hint">${len(group)}</span></li>
  % endfor
  </ul>
</nav>
<dl class="legend">
  <dt><span class="access access-public">public</span></dt><dd>anyone</dd>
  <dt><span class="access access-user">user</span></dt><dd>any logged-in account (pages redirect to the login; the API answers 401)</dd>
  <dt><span class="access access-admin">admin</span></dt><dd>admin accounts only</dd>
  <dt><span class="access access-setup-token">setup-token</span></dt><dd>the one-time link printed at the first start</dd>
</dl>
% for section, group in sections:
<section class="sitemap-section" id="section-${section.strip('/') or 'root'}" aria-labelledby="heading-${section.strip('/') or 'root'}">
  <h2 id="heading-${section.strip('/') or 'root'}"><code>${section}</code></h2>
  <table class="table sitemap">
    <colgroup><col class="c-url"><col class="c-methods"><col class="c-who"><col></colgroup>
    <thead><tr><th scope="col">URL</th><th scope="col">Methods</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
    <tbody>
    % for route in group:
      <tr>
        <td><code>\
% if route.browsable:
<a href="${url(route.path)}">${route.path}</a>\
% else:
${route.path}\
% endif
</code></td>
        <td><span class="methods">${" ".join(route.methods)}</span></td>
        <td><span class="access access-${route.access}">${route.access}</span></td>
        <td>${route.summary}</td>
      </tr>
    % endfor
    </tbody>
  </table>
</section>
% endfor
