<%inherit file="/base.mako"/>
<%def name="title()">Documents</%def>
${fragment('documents/list.mako', (account.is_admin, q, page, total, *ids), ids=ids, load_documents=load_documents,
           q=q, page=page, pages=pages, total=total, admin=account.is_admin) | n}
