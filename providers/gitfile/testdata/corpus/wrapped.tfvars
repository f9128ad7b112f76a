role_poweruser_user_arns = ["arn:aws:iam::622626885786:user/grace.okafor@example.gov.uk",
                            "arn:aws:iam::622626885786:user/hannah.mills@example.gov.uk",
                            "arn:aws:iam::622626885786:user/lucy.chen@example.gov.uk"]
other = "x"
