"""The safety net before a campaign goes out (marketing): preview the message as any
recipient of the segment gets it (their offers, the address masked), a test send to
one's own address, edit and delete drafts, schedule a time, and the confirmation page
that states how many will be contacted, held out and left out before anything is sent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from access.policy import Action
from campaigns import safety, services
from campaigns.models import Campaign, CampaignStatus, Channel, SkipReason
from dashboard.campaign_forms import CampaignForm, PreviewForm, ScheduleForm
from dashboard.confirm import ask, is_confirmed
from dashboard.permissions import staff_required
from dashboard.views.campaigns import _actor, _campaign_or_404
from runtime.forms import add_service_errors
from vault.services import key_scope

marketing = staff_required(Action.CAMPAIGN)
REASONS = dict(SkipReason.choices)
CONTACTED = {
    Channel.EMAIL: gettext_lazy("Will be emailed"),
    Channel.POST: gettext_lazy("Will get a letter"),
    Channel.PHONE: gettext_lazy("On the call list"),
}
SEND_CONSEQUENCES = {
    Channel.EMAIL: gettext_lazy(
        "This will send the message now to everyone in the audience who may "
        "receive it. A sent email cannot be recalled."
    ),
    Channel.POST: gettext_lazy(
        "This will send the address list of the audience to the mailing house."
    ),
    Channel.PHONE: gettext_lazy("This will open the call list of the audience to the agents."),
}
SCHEDULE_CONSEQUENCES = {
    Channel.EMAIL: gettext_lazy(
        "At that time the message goes to everyone in the audience who may receive it "
        "then. Until then you can cancel the schedule."
    ),
    Channel.POST: gettext_lazy(
        "At that time the address list of the audience goes to the mailing house. Until "
        "then you can cancel the schedule."
    ),
    Channel.PHONE: gettext_lazy(
        "At that time the call list of the audience opens to the agents. Until then you "
        "can cancel the schedule."
    ),
}


def _counts(campaign: Campaign) -> list[tuple[str, object]]:
    """The confirmation's facts: contacted, held out, left out (with the reasons)."""
    counts = safety.send_counts(campaign)
    reasons = "; ".join(f"{REASONS[reason]}: {n}" for reason, n in counts.reasons.items())
    left_out = f"{counts.left_out} ({reasons})" if reasons else counts.left_out
    return [
        (CONTACTED[Channel(campaign.channel)], counts.contacted),
        (_("Held out (not contacted, to measure the effect)"), counts.held_out),
        (_("Left out"), left_out),
    ]


def _draft_or_back(request, campaign: Campaign):
    if campaign.status == CampaignStatus.SCHEDULED:
        messages.error(request, _("Only a draft can be changed. Cancel its schedule first."))
    elif campaign.status != CampaignStatus.DRAFT:
        messages.info(request, _("This campaign has already gone out."))
    else:
        return None
    return redirect("dashboard:campaign", campaign_id=campaign.pk)


@marketing
def send(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    back = _draft_or_back(request, campaign)
    if back:
        return back
    if not is_confirmed(request):
        return ask(
            request,
            title=_("Send this campaign?"),
            consequence=SEND_CONSEQUENCES.get(campaign.channel, ""),
            confirm_label=_("Send"),
            cancel_url=reverse("dashboard:campaign", kwargs={"campaign_id": campaign.pk}),
            facts=_counts(campaign),
        )
    try:
        if campaign.channel == Channel.POST:
            services.export_post(campaign_id=campaign.pk, actor=_actor(request))
            messages.success(request, _("The address list goes to the mailing house."))
        else:
            services.start_send(campaign_id=campaign.pk, actor=_actor(request))
            messages.success(
                request,
                _("Sending started.")
                if campaign.channel == Channel.EMAIL
                else _("The call list is open for the agents."),
            )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    return redirect("dashboard:campaign", campaign_id=campaign.pk)


@marketing
def schedule(request, campaign_id):
    """POST the time: the confirmation page (the counts, the time); its confirmed POST
    schedules. Beat starts the send then."""
    campaign = _campaign_or_404(campaign_id)
    back = _draft_or_back(request, campaign)
    if back:
        return back
    zone = timezone.get_current_timezone_name()
    form = ScheduleForm(request.POST or None, time_zone=zone)
    if request.method == "POST" and form.is_valid():
        send_at = form.cleaned_data["send_at"]
        if send_at <= timezone.now():
            form.add_error("send_at", _("Choose a time in the future."))
        elif not is_confirmed(request):
            when = formats.date_format(timezone.localtime(send_at), "DATETIME_FORMAT")
            return ask(
                request,
                title=_("Schedule this campaign?"),
                consequence=SCHEDULE_CONSEQUENCES[Channel(campaign.channel)],
                confirm_label=_("Schedule"),
                cancel_url=reverse("dashboard:campaign", kwargs={"campaign_id": campaign.pk}),
                undoable=True,
                facts=[(_("Send at"), f"{when} ({zone})"), *_counts(campaign)],
                carry={"send_at": request.POST.get("send_at", "")},
            )
        else:
            try:
                safety.schedule(campaign_id=campaign.pk, send_at=send_at, actor=_actor(request))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Scheduled. It goes out at the time you chose."))
                return redirect("dashboard:campaign", campaign_id=campaign.pk)
    if request.method == "GET":
        return redirect("dashboard:campaign", campaign_id=campaign.pk)
    return render(
        request,
        "dashboard/campaigns/schedule.html",
        {"campaign": campaign, "form": form, "error_forms": [form]},
        status=400,
    )


@require_POST
@marketing
def unschedule(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    safety.unschedule(campaign_id=campaign.pk, actor=_actor(request), reason="staff")
    messages.success(request, _("The schedule is cancelled: the campaign is a draft again."))
    return redirect("dashboard:campaign", campaign_id=campaign.pk)


@marketing
def edit(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    back = _draft_or_back(request, campaign)
    if back:
        return back
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_campaign(campaign=form.save(commit=False), actor=_actor(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("dashboard:campaign", campaign_id=campaign.pk)
    return render(
        request,
        "dashboard/campaigns/campaign_form.html",
        {"form": form, "error_forms": [form], "campaign": campaign},
        status=400 if form.errors else 200,
    )


@marketing
def delete(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    back = _draft_or_back(request, campaign)
    if back:
        return back
    if not is_confirmed(request):
        return ask(
            request,
            title=_("Delete this draft?"),
            consequence=_("The draft “%(name)s” is deleted. Nobody was contacted by it.")
            % {"name": campaign.name},
            confirm_label=_("Delete the draft"),
            cancel_url=reverse("dashboard:campaign", kwargs={"campaign_id": campaign.pk}),
        )
    safety.delete_draft(campaign_id=campaign.pk, actor=_actor(request))
    messages.success(request, _("Draft deleted."))
    return redirect("dashboard:campaigns")


def _position(request) -> int:
    form = PreviewForm(request.GET or request.POST)
    return (form.cleaned_data.get("n") or 1) if form.is_valid() else 1


@marketing
def preview(request, campaign_id):
    """The message as one recipient gets it; step through the audience by number."""
    campaign = _campaign_or_404(campaign_id)
    with key_scope():
        shown = safety.preview(
            campaign=campaign, position=_position(request), user=request.user, actor=_actor(request)
        )
    return render(
        request,
        "dashboard/campaigns/preview.html",
        {
            "campaign": campaign,
            "preview": shown,
            "form": PreviewForm(initial={"n": shown.position if shown else 1}),
            "can_test": campaign.channel == Channel.EMAIL
            and campaign.status == CampaignStatus.DRAFT,
        },
    )


@require_POST
@marketing
def test_send(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    position = _position(request)
    try:
        with key_scope():
            safety.send_test(
                campaign=campaign, position=position, user=request.user, actor=_actor(request)
            )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(
            request,
            _("A test was sent to your own address, %(email)s.") % {"email": request.user.email},
        )
    return redirect(f"{reverse('dashboard:preview_campaign', args=[campaign.pk])}?n={position}")
