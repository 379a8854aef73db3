from smskit.console import main

main()
