<%inherit file="/base.mako"/>
<%def name="title()">API</%def>
<%!
    import json

    def pretty(schema):
        return json.dumps(schema, indent=2, ensure_ascii=False)

    def anchor(reference):
        return reference.rsplit("/", 1)[-1]
%>
<%def name="schema_of(schema)">\
% if "$ref" in schema:
<a href="#schema-${anchor(schema['$ref'])}">${anchor(schema["$ref"])}</a>\
% else:
<pre class="schema">${pretty(schema)}</pre>\
% endif
</%def>
<h1>API</h1>
<p class="lead">${document["info"]["description"]} Generated from the handlers themselves, as
  <a href="${url('/api/openapi.json')}">OpenAPI ${document["openapi"]}</a>
  (<code>curl ${url('/api/openapi.json')}</code>): feed it to a client generator.</p>
<p>Log in with any one of: ${", ".join(f"{name} ({scheme['type']})" for name, scheme in document["components"]["securitySchemes"].items())}.</p>
% for path, item in document["paths"].items():
% for method, operation in item.items():
<section class="api-operation" id="${operation['operationId']}">
  <h2><code>${method.upper()} ${path}</code></h2>
  <p>${operation["summary"]} <span class="access access-${operation['x-access']}">${operation["x-access"]}</span></p>
  % if operation.get("parameters"):
  <h3>Parameters</h3>
  <table class="table">
    <thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Schema</th><th scope="col">What</th></tr></thead>
    <tbody>
    % for parameter in operation["parameters"]:
      <tr><td><code>${parameter["name"]}</code>${" (required)" if parameter.get("required") else ""}</td><td>${parameter["in"]}</td>
        <td><code>${json.dumps(parameter["schema"], ensure_ascii=False)}</code></td><td>${parameter.get("description", "")}</td></tr>
    % endfor
    </tbody>
  </table>
  % endif
  % if "requestBody" in operation:
  <h3>Request body</h3>
  <ul>
    % for media_type, content in operation["requestBody"]["content"].items():
    <li><code>${media_type}</code>: ${schema_of(content["schema"])}</li>
    % endfor
  </ul>
  % endif
  <h3>Responses</h3>
  <table class="table">
    <thead><tr><th scope="col">Status</th><th scope="col">What</th><th scope="col">Body</th></tr></thead>
    <tbody>
    % for status, response in operation["responses"].items():
      <tr><td>${status}</td><td>${response["description"]}</td>
        <td>
        % for media_type, content in response.get("content", {}).items():
          <code>${media_type}</code> ${schema_of(content["schema"])}
        % endfor
        </td></tr>
    % endfor
    </tbody>
  </table>
</section>
% endfor
% endfor
<h2>Schemas</h2>
% for name, schema in document["components"]["schemas"].items():
<section id="schema-${name}">
  <h3>${name}</h3>
  <pre class="schema">${pretty(schema)}</pre>
</section>
% endfor
