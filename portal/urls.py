from django.urls import path

from portal.views import account, auth, consents, data, profile, tickets, unsubscribe

app_name = "portal"

urlpatterns = [
    path("", data.home, name="home"),
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-in/code/", auth.sign_in_code, name="sign_in_code"),
    path("sign-in/link/<uuid:code_id>/<secret:secret>/", auth.sign_in_link, name="sign_in_link"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    path("my-data/", data.my_data, name="my_data"),
    path("recommendations/", data.recommendations, name="recommendations"),
    path("access-log/", data.access_log, name="access_log"),
    path("export/", data.export, name="export"),
    path("export/my-data.json", data.export_json, name="export_json"),
    path("export/summary/", data.export_summary, name="export_summary"),
    path("profile/", profile.edit_profile, name="profile"),
    path("profile/email/", profile.change_email, name="change_email"),
    path("profile/email/confirm/", profile.confirm_email, name="confirm_email"),
    path(
        "profile/email/undo/<uuid:undo_id>/<secret:secret>/",
        profile.undo_email,
        name="undo_email",
    ),
    path("consents/", consents.consents, name="consents"),
    path("consents/change/", consents.change_consent, name="change_consent"),
    path("consents/confirm/<secret:token>/", consents.confirm_consent, name="confirm_consent"),
    path("unsubscribe/<secret:token>/", unsubscribe.unsubscribe_link, name="unsubscribe"),
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/new/", tickets.contact, name="contact"),
    path("tickets/<uuid:ticket_id>/", tickets.ticket_detail, name="ticket"),
    path("close-account/", account.close_account, name="close_account"),
    path("close-account/status/", account.account_closed, name="account_closed"),
]
