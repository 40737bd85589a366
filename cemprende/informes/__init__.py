"""Monthly informes: enrutamiento, capitalización and the técnico, with frozen versions."""
