"""The access review on the privacy desk: every reveal and view of customer data by
staff, filtered by staff member, purpose and date, flags first in mind (break-glass
reasons, self-made access, unusual volume), each flagged access markable as reviewed
with a note, and the same list as CSV. Privacy officers (and administrators) only."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from access.policy import Action
from access.reviews import mark_reviewed
from access.selectors import AccessFilters, access_events, access_rows
from dashboard.permissions import staff_required
from dashboard.review_forms import AccessFilterForm, ReviewForm
from runtime.csv_writer import formula_safe_writer
from runtime.forms import add_service_errors
from runtime.replica import pinned, replica_reads

desk = staff_required(Action.PRIVACY_DESK)
PAGE_SIZE = 50
CSV_BATCH = 500
FILTER_KEYS = ("staff", "purpose_kind", "date_from", "date_to", "show")


def _filter_query(data: QueryDict) -> str:
    """The filters of a query string, and nothing else (where a mark returns to)."""
    return urlencode([(key, data[key]) for key in FILTER_KEYS if data.get(key)])


def _render(request, query: QueryDict, *, failed=None, status=200):
    form = AccessFilterForm(query)
    if form.is_valid():
        events, heavy = access_events(form.filters())
    else:
        events, heavy, status = access_events(AccessFilters())[0].none(), set(), 400
    page = Paginator(events, PAGE_SIZE).get_page(query.get("page"))
    rows = access_rows(page.object_list, heavy)
    back = _filter_query(query)
    for row in rows:
        if failed is not None and failed.prefix == f"r{row.event.pk}":
            row.form = failed
        elif row.flags and row.review is None:
            row.form = ReviewForm(prefix=f"r{row.event.pk}", initial={"back": back})
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "query": back,
        "error_forms": [form, *([failed] if failed is not None else [])],
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "dashboard/privacy/access_review.html", context, status=status)


@desk
def access_review(request):
    return _render(request, request.GET)


@desk
def access_reviewed(request, event_id: int):
    """POST: mark one access reviewed (with an optional note), back to the same filters."""
    if request.method != "POST":
        return redirect("dashboard:access_review")
    form = ReviewForm(request.POST, prefix=f"r{event_id}")
    back = QueryDict(request.POST.get(f"r{event_id}-back", ""))
    if form.is_valid():
        try:
            mark_reviewed(user=request.user, event_id=event_id, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Marked reviewed."))
            query = _filter_query(back)
            return redirect(reverse("dashboard:access_review") + (f"?{query}" if query else ""))
    return _render(request, back, failed=form, status=400)


class _Echo:
    def write(self, value):
        return value


def _csv_lines(filters: AccessFilters):
    # A staff export of the access log may be seconds behind (replica); pinned: it streams.
    with replica_reads():
        events, heavy = access_events(filters)
        events = pinned(events)
    writer = formula_safe_writer(_Echo())
    zone = timezone.get_current_timezone_name()
    yield writer.writerow(
        [
            _("When (%(zone)s)") % {"zone": zone},
            _("Staff member"),
            _("Role"),
            _("What"),
            _("Details"),
            _("Customer"),
            _("Purpose"),
            _("Flags"),
            _("Reviewed by"),
            _("Reviewed"),
        ]
    )
    batch = []
    for event in events.iterator(chunk_size=CSV_BATCH):
        batch.append(event)
        if len(batch) == CSV_BATCH:
            yield from _csv_rows(writer, batch, heavy)
            batch = []
    yield from _csv_rows(writer, batch, heavy)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _csv_rows(writer, events, heavy):
    with replica_reads():  # the batch's names and marks, likewise; not held across a yield
        rows = access_rows(events, heavy)
    for row in rows:
        review = row.review
        yield writer.writerow(
            [
                _local(row.event.occurred_at),
                row.username,
                row.role,
                row.action,
                ", ".join(row.fields),
                row.customer or _("Erased customer"),
                row.purpose,
                ", ".join(row.flag_labels),
                review.reviewer.get_username() if review else "",
                _local(review.reviewed_at) if review else "",
            ]
        )


@desk
def access_review_csv(request):
    """The filtered list as CSV (the note stays on the page: it may mention the customer),
    streamed through the shared formula-safe writer."""
    form = AccessFilterForm(request.GET)
    if not form.is_valid():
        return _render(request, request.GET)
    response = StreamingHttpResponse(
        _csv_lines(form.filters()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="access-review.csv"'
    add_never_cache_headers(response)
    return response
