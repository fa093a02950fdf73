<%inherit file="/base.mako"/>
<%def name="title()">${document.name}</%def>
<p class="crumbs"><a href="${url('/documents/')}">← Documents</a></p>
<h1>${document.name}</h1>
<dl class="facts">
  <dt>Root element</dt><dd><code>${document.root}</code></dd>
  <dt>Elements</dt><dd>${document.elements}</dd>
  <dt>Size</dt><dd>${size(document.size)}</dd>
  <dt>Type</dt><dd><code>${document.content_type}</code></dd>
  <dt>Encoding</dt><dd>${document.encoding}</dd>
  <dt>SHA-256</dt><dd><code>${document.sha256}</code></dd>
  <dt>Uploaded</dt><dd>${when(document.created_at)} by ${document.owner}</dd>
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
<details class="preview" open>
  <summary><h2>Preview</h2></summary>
  % if preview.truncated:
  <p class="note">Only the start of the document is shown (at most its first ${size(preview_bytes)}); download it for the rest.</p>
  % endif
  ## tabindex: a scrolling region must be reachable by keyboard to be scrolled.
  <pre class="xml" tabindex="0" aria-label="XML source of ${document.name}">\
% for indent, tokens in preview.lines:
${' ' * (2 * indent)}\
% for kind, text in tokens:
<span class="x-${kind}">${text}</span>\
% endfor

% endfor
</pre>
</details>
