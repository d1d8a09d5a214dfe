"""Back-office URLs of the CRM: contacts, companies, bureau actions, GDPR requests, audit log."""

from django.urls import path

from micedesk.backoffice import crm_views

urlpatterns = [
    path("", crm_views.contacts, name="contacts"),
    path("nouveau/", crm_views.contact_new, name="contact_new"),
    path("<int:pk>/", crm_views.contact, name="contact"),
    path("<int:pk>/modifier/", crm_views.contact_edit, name="contact_edit"),
    path(
        "<int:pk>/interactions/",
        crm_views.contact_interaction_add,
        name="contact_interaction_add",
    ),
    path("<int:pk>/base-legale/", crm_views.contact_consent, name="contact_consent"),
    path("<int:pk>/fusionner/", crm_views.contact_merge, name="contact_merge"),
    path("entreprises/", crm_views.companies, name="companies"),
    path("entreprises/nouvelle/", crm_views.company_new, name="company_new"),
    path("entreprises/<int:pk>/", crm_views.company, name="company"),
    path("entreprises/<int:pk>/modifier/", crm_views.company_edit, name="company_edit"),
    path("actions/", crm_views.bureau_actions, name="bureau_actions"),
    path("actions/nouvelle/", crm_views.bureau_action_new, name="bureau_action_new"),
    path("actions/<int:pk>/", crm_views.bureau_action, name="bureau_action"),
    path("actions/<int:pk>/modifier/", crm_views.bureau_action_edit, name="bureau_action_edit"),
    path("rgpd/personne/", crm_views.gdpr_person, name="gdpr_person"),
    path(
        "rgpd/personne/export.<str:file_format>",
        crm_views.gdpr_export,
        name="gdpr_export",
    ),
    path("rgpd/personne/effacer/", crm_views.gdpr_erase, name="gdpr_erase"),
    path("rgpd/registre/", crm_views.gdpr_register, name="gdpr_register"),
    path("rgpd/journal/", crm_views.audit_log, name="audit_log"),
]
