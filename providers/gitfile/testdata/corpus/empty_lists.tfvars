role_poweruser_user_arns = []
role_user_user_arns = [
  # nobody yet
]
