<%inherit file="/base.mako"/>
<%def name="title()">Upload a document</%def>
<%namespace name="fmt" file="/format.mako"/>
<section class="card narrow">
  <h1>Upload a document</h1>
  % if error:
  <p class="form-error" role="alert">The document was not stored: ${error}.</p>
  % endif
  <form method="post" action="${url('/documents/upload')}" enctype="multipart/form-data" class="form">
    ## The token first: a document over the limit stops the reading, and the token must be read by then.
    <input type="hidden" name="csrf_token" value="${csrf_token()}">
    <label for="document">XML document</label>
    <input id="document" name="document" type="file" accept=".xml,application/xml,text/xml,application/vnd.proto.document+xml" required>
    <button type="submit">Upload</button>
  </form>
  <p class="hint">Any well-formed XML without a DOCTYPE, up to ${fmt.size(limit)}.</p>
</section>
