aws_environment = "production"
aws_region      = "eu-west-1"
stackname       = "blue"

remote_state_bucket = "govuk-terraform-steppingstone-production"

role_admin_user_arns = [
  "arn:aws:iam::622626885786:user/priya.shah@example.gov.uk",
  "arn:aws:iam::622626885786:user/tom.ellis@example.gov.uk",
]

role_admin_policy_arns = [
  "arn:aws:iam::aws:policy/AdministratorAccess",
]

# PowerUser: everyone with production access.
role_poweruser_user_arns = [
  "arn:aws:iam::622626885786:user/grace.okafor@example.gov.uk",
  "arn:aws:iam::622626885786:user/hannah.mills@example.gov.uk",
  "arn:aws:iam::622626885786:user/lucy.chen@example.gov.uk",
  "arn:aws:iam::622626885786:user/ravi.patel@example.gov.uk",
]

role_poweruser_policy_arns = [
  "arn:aws:iam::aws:policy/PowerUserAccess",
  "arn:aws:iam::622626885786:policy/DenyEipRelease",
]

role_user_user_arns = [
  "arn:aws:iam::622626885786:user/owen.pryce@example.gov.uk",
]

ssh_public_key = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCexamplekeyonlyfortests govuk-infra"

tags = {
  Project     = "infra-security"
  Environment = "production"
  Owner       = "govuk-platform-reliability"
}
