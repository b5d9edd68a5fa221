"""A small Zoho CRM client, written before tokens became org-specific."""
import requests

from crm.settings import ACCOUNTS, REFRESH_TOKEN, SANDBOX

API = "https://sandbox.zohoapis.com" if SANDBOX else "https://www.zohoapis.com"


def access_token():
    r = requests.post(ACCOUNTS, data={"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN})
    return r.json()["access_token"]


def leads():
    return requests.get(f"{API}/crm/v8/Leads", headers={"Authorization": f"Zoho-oauthtoken {access_token()}"})


def copy_layouts_to_developer_org():
    token = access_token()
    auth = {"Authorization": f"Zoho-oauthtoken {token}"}
    layouts = requests.get("https://www.zohoapis.com/crm/v8/settings/layouts", headers=auth).json()
    requests.post("https://developer.zohoapis.com/crm/v8/settings/layouts", json=layouts, headers=auth)


def eu_org():
    return requests.get("https://www.zohoapis.eu/crm/v8/org", headers={"Authorization": f"Zoho-oauthtoken {access_token()}"})
