# By the Okta group rule ID; the imported rule's condition becomes its `expression`.
terraform import 'sanityokta_group_rule.sales_leads' 0pr1a2b3c4d5e6f7g8h9
