aws_region     = "eu-west-1"
role_user_arns = ["arn:aws:iam::123456789012:user/a", "arn:aws:iam::123456789012:user/b"] # readers
role_poweruser_user_arns = ["arn:aws:iam::123456789012:user/c", "arn:aws:iam::123456789012:user/d", "arn:aws:iam::123456789012:root"]
allowed_cidrs  = ["10.0.0.0/8", "192.168.0.0/16"]
instance_types = { web = "t3.small", worker = "t3.large" }
