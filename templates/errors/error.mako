<%inherit file="/base.mako"/>
<%def name="title()">${status} ${reason}</%def>
<section class="error-page">
  <h1>${status} ${reason}</h1>
  <p class="lead">${message}</p>
  <p><a href="${url('/')}">Back to the home page</a></p>
  % if traceback:
  <details open><summary>Traceback (development only)</summary><pre class="traceback">${traceback}</pre></details>
  % endif
</section>
