// Access fields for Sanity Studio. Spread `accessFields` into every gated document type
// (partnerPricing, handbook and complianceCourse in the examples) and add the `access` group.
// The names must match what the provider reads: accessTier, department, region, allowedRoles,
// active, and oktaGroupId, which the provider writes back.
import {defineField, defineType} from 'sanity'

export const accessGroup = {name: 'access', title: 'Access'}

export const accessFields = [
  defineField({
    name: 'accessTier',
    title: 'Access tier',
    type: 'string',
    group: 'access',
    options: {
      list: [
        {title: 'Internal (all staff)', value: 'internal'},
        {title: 'Partner', value: 'partner'},
        {title: 'Confidential', value: 'confidential'},
      ],
      layout: 'radio',
    },
    validation: (rule) => rule.required(),
  }),
  defineField({
    name: 'department',
    title: 'Department',
    type: 'string',
    group: 'access',
    options: {
      list: ['engineering', 'sales', 'people', 'finance', 'legal'],
    },
  }),
  defineField({
    name: 'region',
    title: 'Region',
    type: 'string',
    group: 'access',
    options: {
      list: [
        {title: 'Global', value: 'global'},
        {title: 'Europe, Middle East and Africa', value: 'emea'},
        {title: 'North America', value: 'na'},
        {title: 'Asia Pacific', value: 'apac'},
        {title: 'Latin America', value: 'latam'},
      ],
    },
    initialValue: 'global',
  }),
  defineField({
    name: 'allowedRoles',
    title: 'Allowed roles',
    description: 'Roles whose members your Okta rules or admins put in this document\'s group.',
    type: 'array',
    group: 'access',
    of: [{type: 'string'}],
    options: {layout: 'tags'},
  }),
  defineField({
    name: 'active',
    title: 'Active',
    description:
      'Switch off to archive the document: the next sync removes its Okta group (or, with on_destroy = "keep", leaves the group and clears the ID below).',
    type: 'boolean',
    group: 'access',
    initialValue: true,
  }),
  defineField({
    name: 'oktaGroupId',
    title: 'Okta group ID',
    description:
      'Written by the access pipeline after it creates or adopts the group. Editors cannot change it; the sync keeps it the same across drafts and releases.',
    type: 'string',
    group: 'access',
    readOnly: true,
  }),
]

// One of the gated types, to show where the fields go.
export const handbook = defineType({
  name: 'handbook',
  title: 'Handbook',
  type: 'document',
  groups: [{name: 'content', title: 'Content', default: true}, accessGroup],
  fields: [
    defineField({name: 'title', type: 'string', group: 'content', validation: (rule) => rule.required()}),
    defineField({
      name: 'slug',
      type: 'slug',
      group: 'content',
      description: 'Also names the Okta group: content:<slug>.',
      options: {source: 'title', maxLength: 96},
      validation: (rule) => rule.required(),
    }),
    defineField({name: 'description', type: 'text', rows: 3, group: 'content'}),
    ...accessFields,
  ],
})
