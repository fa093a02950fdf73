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
% for section, group in sections:
<section class="sitemap-section">
  <h2><code>${section}</code></h2>
  <table class="table">
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
        <td>${", ".join(route.methods)}</td>
        <td><span class="access access-${route.access}">${route.access}</span></td>
        <td>${route.summary}</td>
      </tr>
    % endfor
    </tbody>
  </table>
</section>
% endfor
