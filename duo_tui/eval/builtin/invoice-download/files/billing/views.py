"""Billing views."""

from billing.models import Invoice
from web.auth import login_required
from web.http import FileResponse, NotFound, Request, Response, json_response


@login_required
def list_invoices(request: Request) -> Response:
    invoices = Invoice.objects.filter(customer_id=request.user.customer_id)
    return json_response([inv.summary() for inv in invoices])


@login_required
def download_invoice(request: Request, invoice_id: int) -> Response:
    invoice = Invoice.objects.filter(id=invoice_id).first()
    if invoice is None:
        raise NotFound("no such invoice")
    return FileResponse(invoice.pdf_path, filename=f"invoice-{invoice.number}.pdf")
