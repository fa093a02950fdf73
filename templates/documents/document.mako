<%inherit file="/base.mako"/>
<%def name="title()">${document.name}</%def>
<%namespace name="fmt" file="/format.mako"/>
<h1>${document.name}</h1>
<dl class="facts">
  <dt>Root element</dt><dd><code>${document.root}</code></dd>
  <dt>Elements</dt><dd>${document.elements}</dd>
  <dt>Size</dt><dd>${fmt.size(document.size)}</dd>
  <dt>Type</dt><dd><code>${document.content_type}</code></dd>
  <dt>Encoding</dt><dd>${document.encoding}</dd>
  <dt>SHA-256</dt><dd><code>${document.sha256}</code></dd>
  <dt>Uploaded</dt><dd>${fmt.when(document.created_at)} by ${document.owner}</dd>
</dl>
<div class="actions">
  <a class="button" href="${url('/documents/' + document.id + '/raw')}" download>Download</a>
  <details class="confirm">
    <summary class="button secondary">Delete…</summary>
    <form method="post" action="${url('/documents/' + document.id + '/delete')}" class="inline">
      <input type="hidden" name="csrf_token" value="${csrf_token()}">
      <span>Delete ${document.name} for good?</span>
      <button type="submit" class="danger">Yes, delete it</button>
    </form>
  </details>
</div>
<h2>Preview</h2>
% if preview.truncated:
<p class="hint">Only the start of the document is shown; download it for the rest.</p>
% endif
<pre class="xml">\
% for indent, tokens in preview.lines:
${' ' * (2 * indent)}\
% for kind, text in tokens:
<span class="x-${kind}">${text}</span>\
% endfor

% endfor
</pre>
