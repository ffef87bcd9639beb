from django.urls import path

from dashboard.views import auth, customers, metrics, privacy, two_factor

app_name = "dashboard"

urlpatterns = [
    path("", auth.home, name="home"),
    path("sign-in/", auth.LoginView.as_view(), name="login"),
    path("sign-out/", auth.LogoutView.as_view(), name="logout"),
    path("two-factor/enrol/", two_factor.enrol, name="two_factor_enrol"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/search/", customers.customer_search, name="search"),
    path("customers/search/results/", customers.search_results, name="search_results"),
    path("customers/<uuid:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<uuid:customer_id>/reveal/", customers.customer_reveal, name="reveal"),
    path("customers/<uuid:customer_id>/requests/new/", privacy.open_request, name="open_request"),
    path(
        "customers/<uuid:customer_id>/lift-restriction/",
        privacy.lift_restriction,
        name="lift_restriction",
    ),
    path("privacy/", privacy.queue, name="queue"),
    path("privacy/requests/<uuid:request_id>/", privacy.request_detail, name="request"),
    path("privacy/requests/<uuid:request_id>/assign/", privacy.assign, name="assign"),
    path("privacy/requests/<uuid:request_id>/verify/", privacy.verify, name="verify"),
    path("privacy/requests/<uuid:request_id>/extend/", privacy.extend, name="extend"),
    path("privacy/requests/<uuid:request_id>/reject/", privacy.reject, name="reject"),
    path("privacy/requests/<uuid:request_id>/rectify/", privacy.rectify, name="rectify"),
    path("privacy/requests/<uuid:request_id>/complete/", privacy.complete, name="complete"),
    path("privacy/requests/<uuid:request_id>/export/", privacy.export, name="export"),
    path("privacy/erasures/<uuid:erasure_id>/", privacy.erasure, name="erasure"),
    path("privacy/processors/", privacy.processors, name="processors"),
    path("privacy/records/", privacy.records, name="records"),
    path("privacy/records.csv", privacy.records_csv, name="records_csv"),
    path("metrics/", metrics.metrics, name="metrics"),
    path("metrics/<slug:slug>.svg", metrics.chart_svg, name="chart_svg"),
    path("metrics/<slug:slug>.csv", metrics.chart_csv, name="chart_csv"),
]
