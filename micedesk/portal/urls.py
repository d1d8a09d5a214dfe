"""URLs of the public portal (French paths; English under /en/ through i18n_patterns)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from micedesk.portal import request_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("recherche/", views.search, name="search"),
    path("prestataires/<slug:slug>/", views.supplier, name="supplier"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", views.account, name="account"),
    path("demandes/nouvelle/", request_views.request_start, name="request_start"),
    path("demandes/nouvelle/<slug:step>/", request_views.request_step, name="request_step"),
    path("demandes/envoyee/", request_views.request_sent, name="request_sent"),
    # The path the leads app's links module writes into the planner's mail.
    path("demandes/suivi/<str:token>/", request_views.request_follow, name="request_follow"),
    path("contacts/", include("micedesk.portal.crm_urls")),
    path("", include("micedesk.portal.operations_urls")),
]
