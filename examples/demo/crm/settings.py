import os

SANDBOX = os.environ.get("CRM_SANDBOX") == "1"
REFRESH_TOKEN = os.environ["ZOHO_REFRESH_TOKEN"]
ACCOUNTS = "https://accounts.zoho.com/oauth/v2/token"
