"""The stakeholder register for staff, by token: organisations and persons, each with the
interactions logged with them.

Each request asks the same access helpers, rules and selectors as the register's pages
(`stakeholders.register.access`, `stakeholders.register.selectors`, `stakeholders.rules`):
organisations are seen by the municipality's staff; persons are personal data, seen only by
the team of a project they are linked to (and by the municipality's administrators and
coordinators), and 404 for everyone else; interactions only in the projects whose team the
user is on.
"""

from __future__ import annotations

import functools
import operator

import rules
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from naboskap.api.models import Area
from naboskap.api.rest.concerns import STAFF_PROBLEMS, Named
from naboskap.api.rest.conventions import PROBLEM_TYPE, Cursor, Problem
from naboskap.api.rest.plans import LIST_PROBLEMS, MAX_ID, page_of
from naboskap.api.rest.tokens import StaffView
from naboskap.stakeholders.models import Interaction, Organisation, Person
from naboskap.stakeholders.register import selectors
from naboskap.stakeholders.register.access import (
    get_organisation_for_user,
    get_person_for_user,
)
from naboskap.tenancy.selectors import municipalities_of

VIEW_ORGANISATIONS = "stakeholders.view_organisations"
VIEW_PERSONS = "stakeholders.view_persons"
# A detail carries the newest interactions; the page shows them 25 at a time.
INTERACTIONS_SHOWN = 50


def _problems(noun: str) -> dict:
    return {
        **STAFF_PROBLEMS,
        (404, PROBLEM_TYPE): OpenApiResponse(
            Problem, description=f"No such {noun}, or not one the token's user may see."
        ),
    }


class TagsField(serializers.ListField):
    child = serializers.CharField()


class InteractionOut(serializers.ModelSerializer):
    project = Named()
    channel_label = serializers.CharField(source="get_channel_display")
    direction_label = serializers.CharField(source="get_direction_display")
    organisations = Named(many=True)
    persons = Named(many=True, help_text="The persons involved, by name.")
    measures = serializers.SerializerMethodField(help_text="Follow-up measures on the plan.")
    page = serializers.SerializerMethodField(help_text="The interaction's staff page.")

    class Meta:
        model = Interaction
        fields = [
            "id",
            "project",
            "occurred_on",
            "channel",
            "channel_label",
            "direction",
            "direction_label",
            "summary",
            "needs_follow_up",
            "organisations",
            "persons",
            "measures",
            "page",
        ]

    @extend_schema_field(Named(many=True))
    def get_measures(self, interaction):
        return [{"id": m.pk, "name": m.title} for m in interaction.measures.all()]

    def get_page(self, interaction) -> str:
        return page_of(self, interaction)


class InteractionsMixin(serializers.Serializer):
    interaction_count = serializers.SerializerMethodField(
        help_text="Interactions in the projects whose team the token's user is on."
    )
    interactions = serializers.SerializerMethodField(
        help_text=f"The newest {INTERACTIONS_SHOWN} of them, newest first."
    )

    def get_interaction_count(self, obj) -> int:
        return self.context["interactions"].count()

    @extend_schema_field(InteractionOut(many=True))
    def get_interactions(self, obj):
        shown = self.context["interactions"][:INTERACTIONS_SHOWN]
        return InteractionOut(shown, many=True, context=self.context).data


class OrganisationItem(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display")
    phone = serializers.SerializerMethodField(help_text="E.164, or empty.")
    tags = serializers.SerializerMethodField()
    projects = Named(many=True, help_text="The projects it is linked to.")
    page = serializers.SerializerMethodField(help_text="The organisation's staff page.")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "municipality",
            "name",
            "kind",
            "kind_label",
            "email",
            "phone",
            "address",
            "website",
            "tags",
            "projects",
            "page",
        ]

    def get_phone(self, stakeholder) -> str:
        return stakeholder.phone.as_e164 if stakeholder.phone else ""

    def get_tags(self, stakeholder) -> list[str]:
        return [tag.name for tag in stakeholder.tags.all()]

    def get_page(self, stakeholder) -> str:
        return page_of(self, stakeholder)


class PersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField(help_text="Their role in the organisation.")


class OrganisationOut(OrganisationItem, InteractionsMixin):
    persons = serializers.SerializerMethodField(
        help_text="Its persons the token's user may see (none for those who see no persons)."
    )

    class Meta(OrganisationItem.Meta):
        fields = [
            *OrganisationItem.Meta.fields,
            "notes",
            "persons",
            "interaction_count",
            "interactions",
        ]

    @extend_schema_field(PersonRef(many=True))
    def get_persons(self, organisation):
        return PersonRef(self.context["persons"], many=True).data


class PersonItem(OrganisationItem):
    organisation = Named(allow_null=True)
    preferred_channels = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Person
        fields = [
            "id",
            "municipality",
            "name",
            "kind",
            "kind_label",
            "email",
            "phone",
            "address",
            "organisation",
            "role",
            "preferred_channels",
            "tags",
            "projects",
            "page",
        ]


class PersonOut(PersonItem, InteractionsMixin):
    lawful_basis_label = serializers.CharField(source="get_lawful_basis_display")

    class Meta(PersonItem.Meta):
        fields = [
            *PersonItem.Meta.fields,
            "notes",
            "lawful_basis",
            "lawful_basis_label",
            "consent_given_on",
            "consent_how",
            "consent_purpose",
            "interaction_count",
            "interactions",
        ]


class RegisterFilters(serializers.Serializer):
    project = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Linked to this project."
    )


class ByName(Cursor):
    ordering = ("name", "pk")


def _each_municipality(user, perm: str, selector, model):
    """The selector's rows in every municipality where the user has `perm` (as the page
    shows them for the one the user works in)."""
    parts = [
        selector(municipality)
        for municipality in municipalities_of(user)
        if rules.has_perm(perm, user, municipality)
    ]
    return functools.reduce(operator.or_, parts) if parts else model.objects.none()


class RegisterList(ListModelMixin, StaffView):
    area = Area.STAKEHOLDERS
    pagination_class = ByName

    def rows(self, user):
        raise NotImplementedError

    def list(self, request):
        filters = RegisterFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = self.rows(request.user)
        if "project" in filters.validated_data:
            rows = rows.filter(projects=filters.validated_data["project"])
        page = self.paginate_queryset(rows.prefetch_related("tags", "projects"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OrganisationList(RegisterList):
    serializer_class = OrganisationItem

    def rows(self, user):
        return _each_municipality(
            user, VIEW_ORGANISATIONS, selectors.organisations_in, Organisation
        ).select_related("municipality")

    @extend_schema(
        operation_id="stakeholders_organisations_list",
        parameters=[RegisterFilters],
        responses={200: OrganisationItem(many=True), **LIST_PROBLEMS},
        tags=["stakeholders"],
    )
    def get(self, request):
        """The organisations of the register of every municipality where the token's user
        works, by name."""
        return self.list(request)


class PersonList(RegisterList):
    serializer_class = PersonItem

    def rows(self, user):
        return _each_municipality(
            user,
            VIEW_PERSONS,
            functools.partial(selectors.persons_for_user, user),
            Person,
        ).select_related("municipality", "organisation")

    @extend_schema(
        operation_id="stakeholders_persons_list",
        parameters=[RegisterFilters],
        responses={200: PersonItem(many=True), **LIST_PROBLEMS},
        tags=["stakeholders"],
    )
    def get(self, request):
        """The persons the token's user may see, by name: every person of the register for
        the municipality's administrators and coordinators, else those linked to a project
        whose team the user is on; none for the others."""
        return self.list(request)


class OrganisationDetail(StaffView):
    area = Area.STAKEHOLDERS
    serializer_class = OrganisationOut

    @extend_schema(
        operation_id="stakeholders_organisations_retrieve",
        responses={200: OrganisationOut, **_problems("organisation")},
        tags=["stakeholders"],
    )
    def get(self, request, pk: int):
        """An organisation with its persons (those the token's user may see) and the
        interactions logged with it in the projects whose team the user is on."""
        user = request.user
        organisation = get_organisation_for_user(user, pk)
        municipality = organisation.municipality
        persons = []
        if rules.has_perm(VIEW_PERSONS, user, municipality):
            persons = selectors.persons_for_user(user, municipality).filter(
                organisation=organisation
            )
        interactions = selectors.interactions_for_user(user, municipality).filter(
            organisations=organisation
        )
        context = {
            **self.get_serializer_context(),
            "persons": persons,
            "interactions": interactions,
        }
        return Response(self.get_serializer(organisation, context=context).data)


class PersonDetail(StaffView):
    area = Area.STAKEHOLDERS
    serializer_class = PersonOut

    @extend_schema(
        operation_id="stakeholders_persons_retrieve",
        responses={200: PersonOut, **_problems("person")},
        tags=["stakeholders"],
    )
    def get(self, request, pk: int):
        """A person with their contact details and lawful basis, and the interactions
        logged with them in the projects whose team the token's user is on. Only for the
        team of a project the person is linked to (and the municipality's administrators
        and coordinators): 404 for everyone else."""
        person = get_person_for_user(request.user, pk)
        interactions = selectors.interactions_for_user(request.user, person.municipality).filter(
            persons=person
        )
        context = {**self.get_serializer_context(), "interactions": interactions}
        return Response(self.get_serializer(person, context=context).data)
