"""Sign-in, sign-out and the start page. Lockout after repeated failures is django-axes
(its middleware renders dashboard/locked_out.html); the idle timeout is
dashboard.middleware."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import ngettext

from access.policy import Action, may
from campaigns.selectors import open_call_lists
from dashboard.middleware import forget_activity
from dashboard.permissions import staff_required
from privacy.selectors import request_queue
from service.selectors import is_overdue, ticket_counts, ticket_queue


class LoginView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        if request.GET.get("idle"):
            minutes = settings.DASHBOARD_IDLE_MINUTES
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)d minute without activity.",
                    "You were signed out after %(minutes)d minutes without activity.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.set_expiry(settings.DASHBOARD_IDLE_MINUTES * 60)
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "dashboard:login"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        forget_activity(response)
        return response


@staff_required()
def home(request):
    user = request.user
    context = {}
    if may(user, Action.PRIVACY_DESK):
        context["open_requests"] = request_queue().count()
    if may(user, Action.TICKETS):
        context["ticket_counts"] = ticket_counts(user)
        context["ticket_rows"] = [
            {"ticket": ticket, "overdue": is_overdue(ticket)}
            for ticket in ticket_queue(user=user)[:10]
        ]
    context["my_requests"] = list(request_queue().filter(assignee=user)[:20])
    if may(user, Action.CALL_LIST):
        context["call_lists"] = list(open_call_lists()[:20])
    return render(request, "dashboard/home.html", context)
