<%inherit file="/base.mako"/>
<%def name="title()">Home</%def>
% if account is None:
<section class="hero">
  <h1>Proto, the XML document exchange</h1>
  <p class="lead">People and machines log in with a password or a client certificate, upload XML
    documents of type <code>application/vnd.proto.document+xml</code>, and find them again at
    predictable URLs.</p>
  <p><a class="button" href="${url('/account/login')}">Log in</a>
     <a class="button secondary" href="${url('/sitemap')}">Browse the site map</a></p>
</section>
% else:
<h1>Welcome, ${account.username}</h1>
<p class="lead">Your documents and your account are one click away.</p>
<ul class="cards">
  <li><a href="${url('/documents/')}">Documents</a></li>
  <li><a href="${url('/documents/upload')}">Upload a document</a></li>
  <li><a href="${url('/account/')}">Account</a></li>
</ul>
% endif
