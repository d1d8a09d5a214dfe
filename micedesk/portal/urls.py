"""URLs of the public portal (French paths; English under /en/ through i18n_patterns)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from micedesk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("recherche/", views.search, name="search"),
    path("prestataires/<slug:slug>/", views.supplier, name="supplier"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", views.account, name="account"),
]
