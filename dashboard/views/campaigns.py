"""Marketing pages: segments with a live count (a "count" submit, no JavaScript
needed), campaigns by channel, sending with progress, the call list, and results.
Marketing sees counts and ids only, never a personal value."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.display import product_names
from access.policy import Action, may
from campaigns import calls, segments, selectors, services
from campaigns.models import Campaign, CampaignStatus, Channel, Segment, SkipReason
from customers.selectors import categories_of
from dashboard.campaign_forms import CallOutcomeForm, CampaignForm, ScheduleForm, SegmentForm
from dashboard.permissions import staff_required
from recommendations.offers import offers_for
from runtime.forms import add_service_errors

REASONS = dict(SkipReason.choices)


def _offer_skus(customer_id, campaign, user) -> list[str]:
    """The offers to read out, a sensitive product as "Sensitive item" for roles that
    may not see special-category data (access.display)."""
    if not campaign.include_offers:
        return []
    skus = [offer.sku for offer in offers_for(customer_id, limit=campaign.offers_limit)]
    return product_names(skus, categories_of(skus), user=user)


def _actor(request) -> str:
    return f"staff:{request.user.pk}"


def _excluded(audience) -> list[tuple[str, int]]:
    return [(REASONS[reason], count) for reason, count in audience.excluded.items()]


@staff_required(Action.CAMPAIGN)
def index(request):
    return render(
        request,
        "dashboard/campaigns/index.html",
        {"campaigns": selectors.campaign_list()[:100], "segments": selectors.segment_list()[:100]},
    )


@staff_required(Action.CAMPAIGN)
def new_segment(request):
    """GET: an empty builder. POST with "count": the same form with the count of who
    it matches and who a channel may reach; POST with "save": save it."""
    form = SegmentForm(request.POST or None, categories=segments.selectable_categories())
    audience = None
    if request.method == "POST" and form.is_valid():
        segment = form.save(commit=False)
        problems = segments.criteria_errors(segment)
        if problems:
            add_service_errors(form, ValidationError(problems))
        elif request.POST.get("action") == "save":
            services.save_segment(segment=segment, actor=_actor(request))
            messages.success(request, _("Segment saved."))
            return redirect("dashboard:campaigns")
        else:
            audience = segments.audience(segment, form.cleaned_data["count_channel"])
    return render(
        request,
        "dashboard/campaigns/segment_form.html",
        {
            "form": form,
            "error_forms": [form],
            "audience": audience,
            "excluded": _excluded(audience) if audience else [],
        },
    )


@staff_required(Action.CAMPAIGN)
def new_campaign(request):
    form = CampaignForm(request.POST or None, initial={"segment": request.GET.get("segment")})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.save_campaign(
                campaign=form.save(commit=False), actor=_actor(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Campaign saved as a draft."))
            return redirect("dashboard:campaign", campaign_id=campaign.pk)
    return render(
        request, "dashboard/campaigns/campaign_form.html", {"form": form, "error_forms": [form]}
    )


def _campaign_or_404(campaign_id) -> Campaign:
    campaign = selectors.campaign_get(campaign_id)
    if campaign is None:
        raise Http404
    return campaign


@staff_required(Action.CAMPAIGN)
def campaign_detail(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    waiting = campaign.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
    context = {
        "campaign": campaign,
        "draft": campaign.status == CampaignStatus.DRAFT,
        "scheduled": campaign.status == CampaignStatus.SCHEDULED,
        "schedule_form": ScheduleForm(time_zone=timezone.get_current_timezone_name()),
        "time_zone": timezone.get_current_timezone_name(),
    }
    if waiting:
        audience = segments.audience(campaign.segment, campaign.channel)
        context.update(audience=audience, excluded=_excluded(audience))
    else:
        progress = selectors.progress(campaign)
        context.update(
            progress=progress,
            skipped=[(REASONS.get(reason, reason), n) for reason, n in progress.skipped.items()],
            results=selectors.results(campaign),
            refresh=campaign.status == CampaignStatus.SENDING and campaign.channel == Channel.EMAIL,
        )
    return render(request, "dashboard/campaigns/campaign.html", context)


def _phone_campaign_or_404(campaign_id) -> Campaign:
    campaign = _campaign_or_404(campaign_id)
    if campaign.channel != Channel.PHONE:
        raise Http404
    return campaign


def _calls_page(request, campaign, form=None):
    claim = calls.current_claim(campaign=campaign, actor=_actor(request))
    return render(
        request,
        "dashboard/campaigns/calls.html",
        {
            "campaign": campaign,
            "open": campaign.status == CampaignStatus.SENDING,
            "closes_at": calls.closes_at(campaign),
            "left": selectors.call_list(campaign).count(),
            "claim": claim,
            "offers": _offer_skus(claim.customer_id, campaign, request.user) if claim else [],
            "form": form or CallOutcomeForm(),
            "error_forms": [form] if form else [],
            "can_open": may(request.user, Action.VIEW_PROFILE),
        },
        status=400 if form else 200,
    )


@staff_required(Action.CALL_LIST)
def calls_page(request, campaign_id):
    """The agent's view of a call list: how many are left, the entry they hold (with
    the outcome form), or a button to claim the next one."""
    return _calls_page(request, _phone_campaign_or_404(campaign_id))


@require_POST
@staff_required(Action.CALL_LIST)
def claim_call(request, campaign_id):
    campaign = _phone_campaign_or_404(campaign_id)
    try:
        claimed = calls.claim_next_call(campaign_id=campaign.pk, actor=_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if claimed is None:
            messages.info(request, _("Nobody left to call now."))
    return redirect("dashboard:calls", campaign_id=campaign.pk)


@require_POST
@staff_required(Action.CALL_LIST)
def record_call(request, campaign_id, recipient_id):
    campaign = _phone_campaign_or_404(campaign_id)
    if not campaign.recipients.filter(pk=recipient_id).exists():
        raise Http404
    form = CallOutcomeForm(request.POST)
    if form.is_valid():
        try:
            calls.record_call(
                recipient_id=recipient_id,
                actor=_actor(request),
                outcome=form.cleaned_data["outcome"],
                call_back_at=form.cleaned_data["call_back_at"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Call recorded."))
            return redirect("dashboard:calls", campaign_id=campaign.pk)
    return _calls_page(request, Campaign.objects.get(pk=campaign.pk), form)


@staff_required(Action.CAMPAIGN)
def segment_detail(request, segment_id):
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    by_channel = [
        (label, segments.audience(segment, channel)) for channel, label in Channel.choices
    ]
    return render(
        request,
        "dashboard/campaigns/segment.html",
        {
            "segment": segment,
            "by_channel": [(label, a, _excluded(a)) for label, a in by_channel],
        },
    )
