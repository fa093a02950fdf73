<%inherit file="/base.mako"/>
<%def name="title()">Upload a document</%def>
<%def name="scripts()"><script src="${url('/static/js/upload.js')}" defer></script></%def>
<section class="card narrow">
  <h1>Upload a document</h1>
  ## upload.js writes the server's refusal here too, so the message has one place with or without script.
  <div id="upload-message" class="form-message" role="alert">
  % if error:
  <p class="form-error">The document was not stored: ${error}.</p>
  % endif
  </div>
  <form method="post" action="${url('/documents/upload')}" enctype="multipart/form-data" class="form upload-form"
        data-limit="${limit}" data-limit-text="${size(limit)}">
    ## The token first: a document over the limit stops the reading, and the token must be read by then.
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <label for="document">XML document</label>
    <div class="dropzone" id="dropzone">
      <input id="document" name="document" type="file" accept=".xml,application/xml,text/xml,application/vnd.proto.document+xml" required aria-describedby="upload-hint">
      <p class="dropzone-text hint" hidden>…or drop a file here.</p>
    </div>
    <div class="progress" id="upload-progress-block" hidden>
      <label for="upload-progress">Uploading</label>
      <progress id="upload-progress" max="100" value="0" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0">0%</progress>
      <span id="upload-percent" class="hint" aria-hidden="true">0%</span>
    </div>
    <button type="submit">Upload</button>
  </form>
  <p class="hint" id="upload-hint">Any well-formed XML without a DOCTYPE, up to ${size(limit)}.</p>
</section>
