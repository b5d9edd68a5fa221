import * as ZOHOCRMSDK from "@zohocrm/typescript-sdk-8.0";

export async function init(): Promise<void> {
  const token = new ZOHOCRMSDK.OAuthBuilder().refreshToken(process.env.ZOHO_REFRESH_TOKEN!).build();
  await (await new ZOHOCRMSDK.InitializeBuilder()).environment(ZOHOCRMSDK.EUDataCenter.PRODUCTION()).token(token).initialize();
}

export async function toSandbox(): Promise<void> {
  await (await new ZOHOCRMSDK.InitializeBuilder()).environment(ZOHOCRMSDK.EUDataCenter.SANDBOX()).switchUser();
}
