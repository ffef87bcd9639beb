from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("confirm/<secret:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/", views.capture, name="form"),
]
