aws_environment = "staging"
role_poweruser_user_arns = [
  "arn:aws:iam::622626885786:user/grace.okafor@example.gov.uk",
  "arn:aws:iam::622626885786:user/hannah.mills@example.gov.uk", # Platform Reliability
]
tags = {
  Environment = "staging"
}
