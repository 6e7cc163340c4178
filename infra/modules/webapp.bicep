// App Service plan and the Linux web app running `weeknotes serve` on Python 3.11.

@description('Web app name; it is also the host name: <name>.azurewebsites.net.')
param name string

@description('Azure region.')
param location string

@description('App Service plan size. Always On needs Basic (B1) or above.')
param skuName string = 'B1'

@description('Resource id of the user-assigned identity that reads Key Vault.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('The bot\'s Microsoft Entra app (client) id.')
param botAppId string

@description('The Microsoft Entra tenant the bot\'s app registration lives in.')
param tenantId string

@description('Comma-separated tenant ids whose Teams may talk to the bot.')
param allowedTenants string

@description('Key Vault secret URI of the bot\'s client secret.')
param appPasswordUri string

@description('Key Vault secret URI of the storage connection string.')
param storageConnectionUri string

@description('Application Insights connection string.')
param insightsConnectionString string

@description('IANA time zone of the organisation.')
param timezone string = 'Europe/London'

@description('Prefix of the table names.')
param tablePrefix string = 'weeknotes'

@description('Weeks of updates to keep; 0 keeps everything.')
param retentionWeeks int = 0

@description('Seconds between two runs of the cadence (prompt, remind, close).')
param tickSeconds int = 60

param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'asp-${name}'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: skuName
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      appCommandLine: 'weeknotes serve'
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      healthCheckPath: '/healthz'
      httpLoggingEnabled: true
      detailedErrorLoggingEnabled: true
      requestTracingEnabled: true
      remoteDebuggingEnabled: false
      webSocketsEnabled: false
      appSettings: [
        { name: 'MicrosoftAppId', value: botAppId }
        { name: 'MicrosoftAppTenantId', value: tenantId }
        { name: 'MicrosoftAppType', value: 'SingleTenant' }
        { name: 'MicrosoftAppPassword', value: '@Microsoft.KeyVault(SecretUri=${appPasswordUri})' }
        { name: 'WEEKNOTES_STORAGE', value: '@Microsoft.KeyVault(SecretUri=${storageConnectionUri})' }
        { name: 'WEEKNOTES_ENV', value: 'production' }
        { name: 'WEEKNOTES_ALLOWED_TENANTS', value: allowedTenants }
        { name: 'WEEKNOTES_HOST', value: '0.0.0.0' }
        { name: 'WEEKNOTES_PORT', value: '8000' }
        { name: 'WEEKNOTES_TIMEZONE', value: timezone }
        { name: 'WEEKNOTES_TABLE_PREFIX', value: tablePrefix }
        { name: 'WEEKNOTES_RETENTION_WEEKS', value: string(retentionWeeks) }
        { name: 'WEEKNOTES_TICK_SECONDS', value: string(tickSeconds) }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insightsConnectionString }
        { name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: '~3' }
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'WEBSITES_PORT', value: '8000' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' }
      ]
    }
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = site.name
output hostName string = site.properties.defaultHostName
