// Weeknotes on Azure: an Azure Bot (single-tenant, Teams channel) in front of a Linux web app running
// `weeknotes serve`, with its tables in a storage account, its secrets in Key Vault and its telemetry in
// Application Insights. Deploy into an existing resource group; see infra/README.md.
targetScope = 'resourceGroup'

@description('Short name for this deployment, used in resource names: lower-case letters, digits and hyphens.')
@minLength(3)
@maxLength(20)
param name string = 'weeknotes'

@description('Azure region of everything but the bot (which is global).')
param location string = resourceGroup().location

@description('Client (application) id of the bot\'s single-tenant Microsoft Entra app registration.')
param botAppId string

@description('A client secret of that app registration. Stored in Key Vault only.')
@secure()
param botAppPassword string

@description('When the client secret expires (ISO 8601, e.g. 2027-06-30T00:00:00Z); its copy in Key Vault expires then.')
param botAppPasswordExpires string = dateTimeAdd(utcNow(), 'P1Y')

@description('Tenant of the app registration (your organisation\'s Microsoft Entra tenant).')
param tenantId string = subscription().tenantId

@description('Comma-separated tenant ids whose Teams may use the bot; by default only your own.')
param allowedTenants string = tenantId

@description('Web app name, which is also its host name (<webAppName>.azurewebsites.net); unique in Azure.')
param webAppName string = '${name}-${uniqueString(resourceGroup().id)}'

@description('App Service plan size (B1 or above: Always On is not available on Free).')
param appServiceSku string = 'B1'

@description('IANA time zone of the organisation.')
param timezone string = 'Europe/London'

@description('Weeks of updates to keep; 0 keeps everything.')
@minValue(0)
param retentionWeeks int = 0

param tags object = {
  application: 'weeknotes'
}

var suffix = uniqueString(resourceGroup().id)

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${name}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: name
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take(toLower('st${replace(name, '-', '')}${suffix}'), 24)
    location: location
    tags: tags
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: take('kv-${take(name, 8)}-${suffix}', 24)
    location: location
    tenantId: tenantId
    botAppPassword: botAppPassword
    storageAccountName: storage.outputs.name
    readerPrincipalId: identity.outputs.principalId
    secretsExpireAt: dateTimeToEpoch(botAppPasswordExpires)
    tags: tags
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: 'appi-${name}'
}

module web 'modules/webapp.bicep' = {
  name: 'webapp'
  params: {
    name: webAppName
    location: location
    skuName: appServiceSku
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    botAppId: botAppId
    tenantId: tenantId
    allowedTenants: allowedTenants
    appPasswordUri: vault.outputs.appPasswordUri
    storageConnectionUri: vault.outputs.storageConnectionUri
    insightsConnectionString: insights.properties.ConnectionString
    timezone: timezone
    retentionWeeks: retentionWeeks
    tags: tags
  }
  dependsOn: [
    monitoring
  ]
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: 'bot-${name}-${suffix}'
    botAppId: botAppId
    tenantId: tenantId
    hostName: web.outputs.hostName
    insightsKey: insights.properties.InstrumentationKey
    tags: tags
  }
}

output webAppName string = web.outputs.name
output botEndpoint string = bot.outputs.endpoint
output botDomain string = web.outputs.hostName
output keyVaultName string = vault.outputs.name
output storageAccountName string = storage.outputs.name
