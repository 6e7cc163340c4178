// The Azure Bot resource (single-tenant) with the Microsoft Teams channel.
// Multi-tenant bots can no longer be created (since 31 July 2025), so the app registration is single-tenant.

@description('Bot resource name (also its handle).')
param name string

@description('Name shown for the bot.')
param displayName string = 'Weeknotes'

@description('The bot\'s Microsoft Entra app (client) id.')
param botAppId string

@description('The tenant of that app registration.')
param tenantId string

@description('Host name of the web app serving /api/messages.')
param hostName string

@description('Application Insights instrumentation key, for the bot\'s analytics.')
param insightsKey string = ''

@description('Pricing tier: F0 is free for standard channels such as Teams.')
@allowed([
  'F0'
  'S1'
])
param sku string = 'F0'

param tags object = {}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: 'https://${hostName}/api/messages'
    msaAppId: botAppId
    msaAppTenantId: tenantId
    msaAppType: 'SingleTenant'
    developerAppInsightKey: empty(insightsKey) ? null : insightsKey
    // Teams authenticates with Microsoft Entra tokens only; no Direct Line or Web Chat channel keys are needed.
    disableLocalAuth: true
    isStreamingSupported: false
    publicNetworkAccess: 'Enabled'
    schemaTransformationVersion: '1.3'
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
    }
  }
}

output name string = bot.name
output endpoint string = bot.properties.endpoint
