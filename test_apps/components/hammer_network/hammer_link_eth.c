/*
 * Ethernet links: the ESP32's internal EMAC with an RMII PHY, a W5500 module on SPI, or the OpenCores
 * MAC that Espressif's QEMU emulates. Each builds a MAC and a PHY; attaching them to esp_netif and
 * logging link changes is shared.
 *
 * ESP-IDF v6.0 moved the chip-specific PHY drivers and the SPI modules to the component registry: there
 * the EMAC and OpenETH use the generic IEEE 802.3 PHY driver, and W5500 is refused at compile time.
 *
 * Locking: no shared state; on_eth_event() runs in the default event loop task and only logs.
 */
#include "sdkconfig.h"

#if CONFIG_HAMMER_NETWORK_LINK_ETH_EMAC || CONFIG_HAMMER_NETWORK_LINK_ETH_W5500 || CONFIG_HAMMER_NETWORK_LINK_OPENETH

#include "esp_check.h"
#include "esp_eth.h"
#include "esp_event.h"
#include "esp_idf_version.h"
#include "esp_log.h"
#include "esp_netif.h"

#include "hammer_network_link.h"

#if __has_include("esp_eth_mac_esp.h")
#include "esp_eth_mac_esp.h"
#endif
#if __has_include("esp_eth_mac_openeth.h")
#include "esp_eth_mac_openeth.h"
#endif

#if CONFIG_HAMMER_NETWORK_LINK_ETH_W5500
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(6, 0, 0)
#error "W5500 needs the espressif/w5500 registry component on ESP-IDF v6.0+: choose another link"
#endif
#include "driver/gpio.h"
#include "driver/spi_master.h"
#if __has_include("esp_eth_mac_spi.h")
#include "esp_eth_mac_spi.h"
#endif
#endif

#define IDF_V6 (ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(6, 0, 0))

static const char *TAG = "hammer_network";

static void on_eth_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)data;
    if (id == ETHERNET_EVENT_CONNECTED) {
        ESP_LOGI(TAG, "%s: link up, waiting for DHCP", hammer_link_name);
    } else if (id == ETHERNET_EVENT_DISCONNECTED) {
        ESP_LOGW(TAG, "%s: link down", hammer_link_name);
    }
}

#if CONFIG_HAMMER_NETWORK_LINK_ETH_EMAC

const char *const hammer_link_name = "eth-emac";

static esp_eth_phy_t *new_board_phy(const eth_phy_config_t *config)
{
#if IDF_V6
    return esp_eth_phy_new_generic(config);
#elif CONFIG_HAMMER_NETWORK_ETH_PHY_GENERIC
#error "The generic PHY driver is used from ESP-IDF v6.0 on: choose the board's PHY"
#elif CONFIG_HAMMER_NETWORK_ETH_PHY_IP101
    return esp_eth_phy_new_ip101(config);
#elif CONFIG_HAMMER_NETWORK_ETH_PHY_LAN87XX
    return esp_eth_phy_new_lan87xx(config);
#elif CONFIG_HAMMER_NETWORK_ETH_PHY_RTL8201
    return esp_eth_phy_new_rtl8201(config);
#elif CONFIG_HAMMER_NETWORK_ETH_PHY_DP83848
    return esp_eth_phy_new_dp83848(config);
#elif CONFIG_HAMMER_NETWORK_ETH_PHY_KSZ80XX
    return esp_eth_phy_new_ksz80xx(config);
#endif
}

static esp_err_t new_mac_phy(esp_eth_mac_t **mac, esp_eth_phy_t **phy)
{
    eth_mac_config_t mac_config = ETH_MAC_DEFAULT_CONFIG();
    eth_esp32_emac_config_t emac_config = ETH_ESP32_EMAC_DEFAULT_CONFIG();
#if CONFIG_HAMMER_NETWORK_ETH_RMII_CLK_OUT
    emac_config.clock_config.rmii.clock_mode = EMAC_CLK_OUT;
    emac_config.clock_config.rmii.clock_gpio = 17;
#else
    emac_config.clock_config.rmii.clock_mode = EMAC_CLK_EXT_IN;
    emac_config.clock_config.rmii.clock_gpio = 0;
#endif
    eth_phy_config_t phy_config = ETH_PHY_DEFAULT_CONFIG();
    phy_config.phy_addr = CONFIG_HAMMER_NETWORK_ETH_PHY_ADDR;
    phy_config.reset_gpio_num = CONFIG_HAMMER_NETWORK_ETH_PHY_RST_GPIO;
    *mac = esp_eth_mac_new_esp32(&emac_config, &mac_config);
    *phy = new_board_phy(&phy_config);
    return *mac != NULL && *phy != NULL ? ESP_OK : ESP_FAIL;
}

#elif CONFIG_HAMMER_NETWORK_LINK_ETH_W5500

const char *const hammer_link_name = "eth-w5500";

static esp_err_t init_spi_bus(void)
{
    const spi_bus_config_t bus = {
        .mosi_io_num = CONFIG_HAMMER_NETWORK_W5500_MOSI_GPIO,
        .miso_io_num = CONFIG_HAMMER_NETWORK_W5500_MISO_GPIO,
        .sclk_io_num = CONFIG_HAMMER_NETWORK_W5500_SCLK_GPIO,
        .quadwp_io_num = -1,
        .quadhd_io_num = -1,
    };
    ESP_RETURN_ON_ERROR(spi_bus_initialize(CONFIG_HAMMER_NETWORK_W5500_SPI_HOST, &bus, SPI_DMA_CH_AUTO), TAG,
                        "SPI bus");
    /* The W5500 driver takes its interrupt through the shared GPIO ISR service. */
    esp_err_t err = gpio_install_isr_service(0);
    return err == ESP_ERR_INVALID_STATE ? ESP_OK : err;
}

static esp_err_t new_mac_phy(esp_eth_mac_t **mac, esp_eth_phy_t **phy)
{
    ESP_RETURN_ON_ERROR(init_spi_bus(), TAG, "W5500 bus");
    spi_device_interface_config_t device = {
        .mode = 0,
        .clock_speed_hz = CONFIG_HAMMER_NETWORK_W5500_CLOCK_MHZ * 1000 * 1000,
        .spics_io_num = CONFIG_HAMMER_NETWORK_W5500_CS_GPIO,
        .queue_size = 20,
    };
    eth_w5500_config_t w5500_config = ETH_W5500_DEFAULT_CONFIG(CONFIG_HAMMER_NETWORK_W5500_SPI_HOST, &device);
    w5500_config.int_gpio_num = CONFIG_HAMMER_NETWORK_W5500_INT_GPIO;
    eth_mac_config_t mac_config = ETH_MAC_DEFAULT_CONFIG();
    eth_phy_config_t phy_config = ETH_PHY_DEFAULT_CONFIG();
    phy_config.reset_gpio_num = -1;
    *mac = esp_eth_mac_new_w5500(&w5500_config, &mac_config);
    *phy = esp_eth_phy_new_w5500(&phy_config);
    return *mac != NULL && *phy != NULL ? ESP_OK : ESP_FAIL;
}

#elif CONFIG_HAMMER_NETWORK_LINK_OPENETH

const char *const hammer_link_name = "openeth";

/* QEMU's OpenCores MAC comes with a DP83848-like PHY at address 1 that negotiates at once. */
static esp_err_t new_mac_phy(esp_eth_mac_t **mac, esp_eth_phy_t **phy)
{
    eth_mac_config_t mac_config = ETH_MAC_DEFAULT_CONFIG();
    eth_phy_config_t phy_config = ETH_PHY_DEFAULT_CONFIG();
    phy_config.phy_addr = 1;
    phy_config.reset_gpio_num = -1;
    phy_config.autonego_timeout_ms = 100;
    *mac = esp_eth_mac_new_openeth(&mac_config);
#if IDF_V6
    *phy = esp_eth_phy_new_generic(&phy_config);
#else
    *phy = esp_eth_phy_new_dp83848(&phy_config);
#endif
    return *mac != NULL && *phy != NULL ? ESP_OK : ESP_FAIL;
}

#endif

esp_err_t hammer_link_start(esp_netif_t **out_netif)
{
    esp_eth_mac_t *mac = NULL;
    esp_eth_phy_t *phy = NULL;
    ESP_RETURN_ON_ERROR(new_mac_phy(&mac, &phy), TAG, "%s: MAC/PHY driver", hammer_link_name);

    esp_eth_config_t config = ETH_DEFAULT_CONFIG(mac, phy);
    esp_eth_handle_t eth = NULL;
    ESP_RETURN_ON_ERROR(esp_eth_driver_install(&config, &eth), TAG, "%s: driver install", hammer_link_name);

    esp_netif_config_t netif_config = ESP_NETIF_DEFAULT_ETH();
    *out_netif = esp_netif_new(&netif_config);
    ESP_RETURN_ON_FALSE(*out_netif != NULL, ESP_FAIL, TAG, "%s: no netif", hammer_link_name);
    ESP_RETURN_ON_ERROR(esp_netif_attach(*out_netif, esp_eth_new_netif_glue(eth)), TAG, "%s: netif glue",
                        hammer_link_name);
    ESP_RETURN_ON_ERROR(esp_event_handler_register(ETH_EVENT, ESP_EVENT_ANY_ID, on_eth_event, NULL), TAG,
                        "%s: event handler", hammer_link_name);
    return esp_eth_start(eth);
}

#endif /* any Ethernet link */
