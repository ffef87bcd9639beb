from django.urls import path

from dashboard.views import auth, customers, metrics, privacy, service

app_name = "dashboard"

urlpatterns = [
    path("", auth.home, name="home"),
    path("sign-in/", auth.LoginView.as_view(), name="login"),
    path("sign-out/", auth.LogoutView.as_view(), name="logout"),
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
    path("service/", service.desk_home, name="desk"),
    path("service/matches/", service.desk_matches, name="desk_matches"),
    path("service/queue/", service.queue, name="tickets"),
    path("service/customers/<uuid:customer_id>/", service.desk_customer, name="desk_customer"),
    path(
        "service/customers/<uuid:customer_id>/tickets/new/",
        service.new_ticket,
        name="new_ticket",
    ),
    path("service/tickets/<uuid:ticket_id>/", service.ticket_detail, name="ticket"),
    path("service/tickets/<uuid:ticket_id>/reveal/", service.ticket_reveal, name="ticket_reveal"),
    path("service/tickets/<uuid:ticket_id>/notes/", service.add_note, name="ticket_note"),
    path("service/tickets/<uuid:ticket_id>/update/", service.update_ticket, name="ticket_update"),
    path("service/tickets/<uuid:ticket_id>/take/", service.take_ticket, name="ticket_take"),
    path("metrics/", metrics.metrics, name="metrics"),
    path("metrics/<slug:slug>.svg", metrics.chart_svg, name="chart_svg"),
    path("metrics/<slug:slug>.csv", metrics.chart_csv, name="chart_csv"),
]
