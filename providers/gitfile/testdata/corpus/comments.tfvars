// Accounts allowed to assume the PowerUser role.
role_poweruser_user_arns = [ # keep sorted
  "arn:aws:iam::123456789012:root", # Production
  "arn:aws:iam::210987654321:root", # Staging

  // people
  "arn:aws:iam::622626885786:user/grace.okafor@example.gov.uk", /* on leave until May */
  "arn:aws:iam::622626885786:user/ravi.patel@example.gov.uk"    # no comma after the last
]

/* Everything below is managed by hand. */
role_user_user_arns = ["arn:aws:iam::622626885786:user/owen.pryce@example.gov.uk"]
