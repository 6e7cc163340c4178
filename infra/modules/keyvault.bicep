// Key Vault (RBAC, soft delete, purge protection) holding the bot's client secret and the storage connection
// string, and the web app identity's right to read them (Key Vault Secrets User).

@description('Key Vault name: 3-24 letters, digits and hyphens, unique in Azure.')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Microsoft Entra tenant of the vault.')
param tenantId string

@description('The bot app registration\'s client secret.')
@secure()
param botAppPassword string

@description('Name of the storage account whose connection string is stored.')
param storageAccountName string

@description('Principal id of the identity that reads the secrets (the web app\'s).')
param readerPrincipalId string

@description('When the stored secrets expire, in seconds since 1970; match the client secret\'s own expiry.')
param secretsExpireAt int

param tags object = {}

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource appPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'bot-app-password'
  tags: tags
  properties: {
    value: botAppPassword
    contentType: 'text/plain; Microsoft Entra client secret'
    attributes: {
      enabled: true
      exp: secretsExpireAt
    }
  }
}

resource storageConnection 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'storage-connection-string'
  tags: tags
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
    contentType: 'text/plain; Azure Storage connection string'
    attributes: {
      enabled: true
      exp: secretsExpireAt
    }
  }
}

resource readSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
// Versionless URIs: App Service picks up a rotated secret within a day (or at once on restart).
output appPasswordUri string = appPassword.properties.secretUri
output storageConnectionUri string = storageConnection.properties.secretUri
